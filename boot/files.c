/* Reads whole files from the volume the loader itself was loaded from. */
#include "loader.h"

/* Opens path for reading and gives its size; one larger than max is
 * closed again with EFI_BAD_BUFFER_SIZE (and its size in *len). */
static EFI_STATUS file_open(EFI_HANDLE image, const CHAR16 *path, UINT64 max,
			    EFI_FILE_HANDLE *f, UINT64 *len)
{
	EFI_LOADED_IMAGE *li;
	EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *fs;
	EFI_FILE_HANDLE root;
	EFI_FILE_INFO *fi;
	EFI_STATUS st;

	st = BS->HandleProtocol(image, &LoadedImageProtocol, (void **)&li);
	if (EFI_ERROR(st))
		return st;
	st = BS->HandleProtocol(li->DeviceHandle, &FileSystemProtocol, (void **)&fs);
	if (EFI_ERROR(st))
		return st;
	st = fs->OpenVolume(fs, &root);
	if (EFI_ERROR(st))
		return st;
	st = root->Open(root, f, (CHAR16 *)path, EFI_FILE_MODE_READ, 0);
	root->Close(root);
	if (EFI_ERROR(st))
		return st;
	fi = LibFileInfo(*f);
	if (!fi) {
		(*f)->Close(*f);
		return EFI_DEVICE_ERROR;
	}
	if (fi->Attribute & EFI_FILE_DIRECTORY) {
		FreePool(fi);
		(*f)->Close(*f);
		return EFI_NOT_FOUND;
	}
	*len = fi->FileSize;
	FreePool(fi);
	if (*len > max) {
		(*f)->Close(*f);
		return EFI_BAD_BUFFER_SIZE;
	}
	return EFI_SUCCESS;
}

/* Reads exactly len bytes (a short file is an error) and closes f. */
static EFI_STATUS read_all(EFI_FILE_HANDLE f, UINT8 *buf, UINT64 len)
{
	EFI_STATUS st = EFI_SUCCESS;
	UINT64 done = 0;

	while (done < len) {
		UINTN chunk = len - done;
		st = f->Read(f, &chunk, buf + done);
		if (EFI_ERROR(st) || chunk == 0)
			break;
		done += chunk;
	}
	f->Close(f);
	if (done != len)
		return EFI_ERROR(st) ? st : EFI_END_OF_FILE;
	return EFI_SUCCESS;
}

EFI_STATUS file_read(EFI_HANDLE image, const CHAR16 *path, UINT64 max,
		     void **data, UINT64 *size)
{
	EFI_FILE_HANDLE f;
	EFI_STATUS st;
	UINT64 len;
	UINT8 *buf;

	*data = 0;
	*size = 0;
	st = file_open(image, path, max, &f, size);
	if (EFI_ERROR(st))
		return st;
	len = *size;
	/* One spare byte so text files can be NUL-terminated by the caller. */
	st = BS->AllocatePool(EfiLoaderData, len + 1, (void **)&buf);
	if (EFI_ERROR(st)) {
		f->Close(f);
		return st;
	}
	st = read_all(f, buf, len);
	if (EFI_ERROR(st)) {
		BS->FreePool(buf);
		return st;
	}
	buf[len] = 0;
	*data = buf;
	return EFI_SUCCESS;
}

EFI_STATUS file_read_pages(EFI_HANDLE image, const CHAR16 *path, UINT64 max,
			   EFI_MEMORY_TYPE type, EFI_PHYSICAL_ADDRESS *phys, UINT64 *size)
{
	EFI_FILE_HANDLE f;
	EFI_STATUS st;
	UINT64 len, pages;

	*phys = 0;
	*size = 0;
	st = file_open(image, path, max, &f, size);
	if (EFI_ERROR(st))
		return st;
	len = *size;
	if (len == 0) {
		f->Close(f);
		return EFI_SUCCESS;
	}
	pages = (len + LOADER_PAGE - 1) / LOADER_PAGE;
	st = BS->AllocatePages(AllocateAnyPages, type, pages, phys);
	if (EFI_ERROR(st)) {
		f->Close(f);
		*phys = 0;
		return st;
	}
	st = read_all(f, (UINT8 *)(uintptr_t)*phys, len);
	if (EFI_ERROR(st)) {
		BS->FreePages(*phys, pages);
		*phys = 0;
	}
	return st;
}
